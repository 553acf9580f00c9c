"""The demo district's knowledge base: about thirty articles the district's departments keep, a few
long past their review date, two kept by expert seats, and consultations answered from them on the
call over the last months — all through the services, so that 直接答复率 is a real figure."""

import random
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model

from minsheng.core import clock
from minsheng.organisation.models import Region
from minsheng.organisation.roles import Role

from . import services
from .models import Article

# owner (department code, or "@street" for the first street's office), category, title, answer,
# materials, where and when, legal basis, expert seat
ARTICLES = [
    ("RS", "labour.insurance", "灵活就业人员怎么参加职工养老保险",
     "本区户籍或持本市居住证的灵活就业人员，可在区社保中心窗口或“随申办”类政务服务平台登记参保，按月、按季或按年缴费，缴费基数在上年度社平工资的60%至300%之间自选。",
     "本人身份证\n社会保障卡（没有可同时申领）\n非本市户籍另带居住证",
     "区社保中心一楼综合窗口，工作日8:30-17:00",
     "《社会保险法》第十条", False),
    ("RS", "labour.insurance", "社保卡丢了怎么补办",
     "可先拨打社保卡服务热线或在手机上临时挂失，再到任一合作银行网点或区社保中心补办，即时制卡的网点当场领卡。",
     "本人身份证\n代办的另带代办人身份证和委托书",
     "区社保中心或社保卡合作银行网点，工作日",
     "《社会保障卡管理办法》", False),
    ("RS", "labour.insurance", "城乡居民医保每年什么时候缴费",
     "城乡居民医保每年9月至12月集中缴费，缴纳的是下一年度的保费；错过集中缴费期的，中途参保有3个月待遇等待期。可通过税务APP、微信或社区代收点缴纳。",
     "户口簿或居住证\n身份证",
     "社区服务站代收点，或线上缴费",
     "《国务院关于整合城乡居民基本医疗保险制度的意见》", False),
    ("RS", "labour.insurance", "异地就医怎么备案",
     "长期在外地居住、工作或异地转诊的参保人，可在国家医保服务平台APP或区医保窗口办理异地就医备案，备案后在就医地定点医院直接结算。",
     "本人身份证或医保电子凭证\n异地转诊的需医院转诊单",
     "线上随时办理；区医保窗口工作日9:00-17:00",
     "《关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知》", False),
    ("RS", "labour.employment", "失业了怎么领取失业保险金",
     "非因本人意愿中断就业、已办理失业登记、累计缴费满一年的，可申领失业保险金，按月发放，期限按缴费年限计算，最长24个月。",
     "本人身份证\n单位出具的解除或终止劳动合同证明\n本人银行卡",
     "区就业服务中心，工作日8:30-17:00",
     "《失业保险条例》第十四条", False),
    ("RS", "labour.wages", "工伤认定怎么申请",
     "用人单位应在事故发生之日起30日内提出工伤认定申请；单位不申请的，本人或近亲属可在1年内直接申请。复杂情形请转人社局专家座席答复。",
     "工伤认定申请表\n劳动关系证明（劳动合同等）\n医疗诊断证明",
     "区人社局工伤科，工作日",
     "《工伤保险条例》第十七条", True),
    ("MZ", "labour.elderly", "高龄老人养老服务补贴怎么申请",
     "本区户籍年满80周岁的老年人可申请高龄津贴，80-89岁每月100元，90-99岁每月300元，100岁以上每月500元，由本人或家属向社区居委会提出申请，按月发放到社保卡。",
     "老人身份证和户口簿\n社会保障卡\n代办人身份证",
     "户籍所在社区居委会，工作日",
     "《区高龄津贴发放办法》", False),
    ("MZ", "labour.elderly", "居家养老服务补贴的对象和标准",
     "经评估为失能或半失能、且属于低保、低收入或计划生育特殊家庭的老年人，可申请居家养老服务补贴，按评估等级每月折算为服务时长，由签约服务商上门服务。",
     "老人身份证和户口簿\n低保或低收入证明\n医疗机构出具的失能相关材料",
     "社区居委会受理，街道审核",
     "《区居家养老服务补贴实施办法》", False),
    ("MZ", "labour.assistance", "低保申请需要什么条件和材料",
     "家庭人均月收入低于本市低保标准、且家庭财产符合规定的本区户籍居民，可向户籍所在街道申请低保，街道入户调查、公示后审批。",
     "家庭成员身份证和户口簿\n收入证明\n授权核对家庭经济状况的承诺书",
     "户籍所在街道社会救助窗口，工作日",
     "《社会救助暂行办法》第九条", False),
    ("MZ", "labour.assistance", "遇到临时困难能申请临时救助吗",
     "因火灾、交通事故、突发重病等导致基本生活暂时出现严重困难的家庭或个人，可向所在街道申请临时救助；情况紧急的可先行救助，后补手续。",
     "身份证\n困难情况说明及相关证明（如医疗费票据）",
     "所在街道社会救助窗口",
     "《社会救助暂行办法》第四十七条", False),
    ("ZJ", "construction.housing", "公租房申请条件和流程",
     "本区户籍或在本区稳定就业、居住满一年的家庭，家庭人均收入和住房面积低于规定标准的，可向户籍或居住地街道提出公租房申请，经审核、公示后轮候配租。",
     "家庭成员身份证、户口簿或居住证\n收入证明\n现住房情况证明",
     "街道住房保障窗口，工作日",
     "《公共租赁住房管理办法》第七条", False),
    ("ZJ", "construction.property", "怎么申请使用住宅专项维修资金",
     "电梯、屋面防水、外墙等共用部位维修需使用维修资金的，由业委会或物业提出方案，经专有部分面积和人数“双三分之二”参与表决、“双过半”同意后，向住建局申请划转；紧急情况可走应急使用程序。具体情形请转住建局专家座席。",
     "维修方案和预算\n业主表决结果\n施工合同",
     "区住建局物业科，工作日",
     "《住宅专项维修资金管理办法》第二十二条", True),
    ("ZJ", "construction.utilities", "供暖报停怎么办理",
     "长期无人居住需报停供暖的，须在每年10月31日前到供热公司营业厅申请，报停后仍需缴纳基本热费（一般为30%）；已开栓后不再受理当季报停。",
     "房产证或购房合同\n户主身份证\n上一年度供暖费缴费凭证",
     "供热公司营业厅，8:30-16:30（供暖季周末不休）",
     "《城市供热管理条例》", False),
    ("ZJ", "construction.utilities", "家里暖气不热找谁",
     "先检查户内阀门是否打开、暖气片是否需要放气；仍不热的请拨打供热公司24小时服务电话报修，室温低于18℃的可要求入户测温，不达标的按规定退费。",
     "缴费凭证（测温退费时需要）",
     "供热公司24小时报修电话",
     "《城市供热管理条例》第二十四条", False),
    ("ZJ", "construction.utilities", "停水了怎么查询和报修",
     "计划停水会提前在小区公告和供水公司网站公布；非计划停水或水管爆裂请拨打供水公司24小时抢修电话，户内管道漏水由业主自行找有资质的单位维修。",
     "",
     "供水公司24小时抢修电话",
     "《城市供水条例》第二十二条", False),
    ("ZJ", "construction.old_estate", "老旧小区改造包括哪些内容",
     "老旧小区改造分基础类（水电气暖、屋面、外墙、道路）、完善类（加装电梯、停车、适老化）和提升类（养老托育、便民服务），由街道征求居民意见后确定清单，居民可通过社区提出需求。",
     "",
     "所在社区居委会",
     "《关于全面推进城镇老旧小区改造工作的指导意见》", False),
    ("ZJ", "construction.old_estate", "老楼加装电梯需要什么手续",
     "同一单元业主按规定比例同意后，由业主代表委托设计、施工单位编制方案，报街道和住建局审核，公示无异议后办理施工许可；政府按规定给予补贴。",
     "单元业主同意书\n设计方案\n费用分摊协议",
     "所在街道城建科",
     "《既有住宅加装电梯工作指导意见》", False),
    ("CG", "environment.noise", "夜间施工噪音扰民怎么处理",
     "22时至次日6时禁止产生噪声的建筑施工作业，因工艺需要连续施工的须取得夜间施工证明并公告。没有证明或超时施工的，可拨打12345反映，城管执法部门到场查处。",
     "施工地点和时间\n照片或录音（如有）",
     "12345热线，24小时",
     "《噪声污染防治法》第四十三条", False),
    ("CG", "commerce.market_order", "小区门口占道经营谁来管",
     "道路和公共场所的占道经营由城管部门管理，小区红线内由物业管理。可拨打12345或向社区反映，城管部门核实后依法处理。",
     "具体位置和时间段",
     "12345热线",
     "《城市市容和环境卫生管理条例》第十四条", False),
    ("CG", "environment.waste", "装修垃圾怎么清运",
     "装修垃圾须袋装后堆放到小区指定的装修垃圾堆放点，不得混入生活垃圾；由物业统一联系有资质的清运单位，费用按小区规定收取。",
     "",
     "小区物业服务中心",
     "《城市建筑垃圾管理规定》第十条", False),
    ("JT", "transport.bus", "老年人免费乘车卡怎么办",
     "本市户籍年满65周岁（持居住证的年满70周岁）老年人可办理老年人乘车卡，免费乘坐本市公交；社区或公交卡服务网点受理，约15个工作日制卡。",
     "本人身份证\n一寸免冠照片一张",
     "社区居委会或公交卡服务网点，工作日",
     "《本市老年人优待办法》", False),
    ("JY", "education.enrolment", "小学入学报名需要准备什么",
     "每年5月在区教育局入学服务平台网上报名，按户籍和实际居住地划片入学；非本市户籍随迁子女按积分或居住证年限安排学位。",
     "户口簿\n房产证或租赁备案证明\n非本市户籍另带居住证、社保缴费证明",
     "区入学服务平台线上报名；学校现场审核",
     "《义务教育法》第十二条", False),
    ("WJ", "health.vaccination", "孩子打疫苗去哪里预约",
     "儿童免疫规划疫苗在户籍或居住地社区卫生服务中心的预防接种门诊接种，可通过公众号预约时段；首次接种需建立预防接种证。",
     "预防接种证\n儿童出生证明或户口簿",
     "社区卫生服务中心预防接种门诊，周二至周六上午",
     "《疫苗管理法》第四十七条", False),
    ("WJ", "health.medical", "家庭医生怎么签约",
     "居民可到户籍或居住地的社区卫生服务中心签约家庭医生团队，签约后享受健康咨询、慢病随访、预约转诊等服务，基础服务包免费。",
     "本人身份证\n医保卡",
     "社区卫生服务中心，工作日",
     "《关于推进家庭医生签约服务的指导意见》", False),
    ("SJ", "commerce.consumer", "预付卡商家跑路怎么办",
     "可保留好预付卡、消费记录和合同，拨打12345或12315投诉；涉及金额较大、人数较多的可向公安机关报案。",
     "预付卡和充值凭证\n与商家的合同或聊天记录",
     "12345热线或12315平台",
     "《消费者权益保护法》第五十三条", False),
    ("@street", None, "居住证怎么办理",
     "来本区居住半年以上、有合法稳定就业或住所或连续就读的，可在居住地社区服务站申领居住证，受理后15个工作日内制证。",
     "本人身份证\n近期一寸免冠照片\n租房合同或房产证明，或劳动合同",
     "居住地社区服务站，工作日9:00-17:00",
     "《居住证暂行条例》第九条", False),
    ("@street", None, "居住证到期了怎么续签",
     "居住证每年签注一次，在有效期满前30日内到居住地社区服务站或线上签注；逾期未签注的居住证失效，居住年限从重新申领时计算。",
     "居住证\n本人身份证\n居住或就业证明",
     "居住地社区服务站或线上办理",
     "《居住证暂行条例》第十二条", False),
    ("@street", None, "户口迁入本区需要什么条件",
     "投靠直系亲属、在本区购房、人才引进等情形可申请户口迁入，具体条件以户籍所在派出所公布为准；社区可协助开具居住证明。",
     "申请人身份证和户口簿\n房产证或亲属关系证明\n迁入地户主同意书",
     "辖区派出所户籍窗口，工作日",
     "《本市户籍管理规定》", False),
    ("@street", None, "开具无犯罪记录证明去哪里",
     "本人持身份证到户籍地或居住地派出所申请开具，符合条件的当场或3个工作日内出具；部分地区可在线申请电子证明。",
     "本人身份证\n用途说明（如单位要求）",
     "户籍地或居住地派出所，工作日",
     "《公安机关办理犯罪记录查询工作规定》", False),
    ("@street", None, "新生儿落户怎么办",
     "新生儿出生后一个月内，由父母一方持相关材料到户籍所在派出所申报出生登记，可与出生医学证明、医保参保“一件事”联办。",
     "出生医学证明\n父母身份证、户口簿和结婚证",
     "户籍所在派出所或政务服务中心“出生一件事”窗口",
     "《户口登记条例》第七条", False),
]
# The articles written long ago and not reviewed since (listed for the centre, flagged to their owners).
STALE = {"社保卡丢了怎么补办", "停水了怎么查询和报修", "老年人免费乘车卡怎么办", "开具无犯罪记录证明去哪里",
         "装修垃圾怎么清运"}


def _owner(city, code: str):
    if code == "@street":
        return city.units[f"{city.streets[0].code}-OFFICE"]
    return city.units[f"XC-{code}"]


def _editor(city, unit):
    role = Role.STREET_DISPATCHER if unit.kind == "street_office" else Role.DEPARTMENT_HANDLER
    return city.actors[(unit.code, role)]


def seed(city, people, *, seed: int, now: datetime, consultations: int = 60) -> str:
    """Write, approve and use the articles (idempotent through the demo's mark)."""
    rng = random.Random(seed)
    leader = get_user_model().objects.get(username="leader")
    articles = []
    for owner, category, title, answer, materials, where, basis, expert in ARTICLES:
        unit = _owner(city, owner)
        written = now - timedelta(days=420 if title in STALE else rng.randint(20, 200))
        with clock.frozen_at(written):
            article = services.create_article(
                _editor(city, unit), title=title, answer=answer, materials=materials, where_when=where,
                legal_basis=basis, category=category, owner_unit=unit, expert_seat=expert,
                regions=[city.streets[0]] if owner == "@street" else [],
                review_by=written.date() + timedelta(days=365))
            services.submit_article(_editor(city, unit), article.pk)
        with clock.frozen_at(written + timedelta(days=1)):
            services.approve_article(leader, article.pk)
        articles.append(article)
    # One article revised since: its second version is current, the first kept in its history.
    revised = Article.objects.get(title="城乡居民医保每年什么时候缴费")
    with clock.frozen_at(now - timedelta(days=10)):
        editor = _editor(city, revised.owner_unit)
        services.update_article(editor, revised.pk, **{**_fields(revised), "answer": revised.answer
                                                       + "今年起也可在医保电子凭证中为家人代缴。"})
        services.submit_article(editor, revised.pk)
        services.approve_article(leader, revised.pk)
    # One waiting for the centre's approval, and one draft.
    pending = Article.objects.get(title="家庭医生怎么签约")
    services.update_article(_editor(city, pending.owner_unit), pending.pk,
                            **{**_fields(pending), "review_by": now.date() + timedelta(days=365)})
    services.submit_article(_editor(city, pending.owner_unit), pending.pk)
    told = services.flag_overdue_reviews()

    operator = city.actors[("XC-CENTRE", Role.HOTLINE_OPERATOR)]
    answered = referred = 0
    in_street = [p for p in people if p.region and p.region.path.startswith(city.streets[0].path)]
    for i in range(consultations):
        # The first is answered directly whatever the draw (an expert seat's would be referred).
        article = rng.choice([a for a in articles if not a.expert_seat] if i == 0 else articles)
        article.refresh_from_db()
        resident = rng.choice(in_street if article.regions.exists() else people)
        at = now - timedelta(days=rng.randint(1, 150), minutes=rng.randint(0, 600))
        with clock.frozen_at(at):
            demand = services.answer_consultation(
                operator, article_id=article.pk, send_sms=rng.random() < 0.3, channel="hotline",
                demand_type="consultation", title=f"咨询{article.current.title}"[:100],
                description=f"来电人咨询：{article.current.title}？想了解需要准备什么材料、到哪里办理。",
                region=resident.region or Region.objects.get(pk=city.grids[0].pk), reporter=resident,
                category=article.category)
        if demand.state == "closed":
            answered += 1
        else:
            referred += 1
    return (f"knowledge: {len(articles)} articles ({len(STALE)} past review, {told} flagged), "
            f"{answered} consultations answered directly, {referred} referred to expert seats")


def _fields(article: Article) -> dict:
    return {"title": article.title, "answer": article.answer, "materials": article.materials,
            "where_when": article.where_when, "legal_basis": article.legal_basis, "category": article.category,
            "regions": list(article.regions.all()), "owner_unit": article.owner_unit,
            "expert_seat": article.expert_seat, "review_by": article.review_by}
