"""The yearly provider evaluation and the random home checks have their pages (issue #31 item 4):
auditors and the street office record checks and compute the score, which the providers page shows."""

from datetime import date

from minsheng.homecare.models import Evaluation, ProviderCheck


def test_home_checks_and_complaints_feed_the_score_on_the_providers_page(care, login):
    p1 = care.providers["p1"]
    elder = care.elder()
    care.visit(care.claimed(elder))  # a record of p1, so the elder can be picked for a home check
    client = login("auditor")
    assert "年度考核与入户抽查" in client.get("/care/providers/").content.decode()
    page = client.get(f"/care/providers/{p1.pk}/evaluation/?year=2026")
    assert page.status_code == 200 and "赵大爷" in page.content.decode()
    checks = [("home_visit", "on", "入户查看，服务到位"), ("home_visit", "", "老人反映未按约上门"),
              ("complaint", "", "家属投诉迟到")]
    for kind, good, note in checks:
        answer = client.post(f"/care/providers/{p1.pk}/evaluation/checks/?year=2026",
                             {"kind": kind, "on": "2026-03-12", "good": good, "note": note, "elder": elder.pk})
        assert answer.status_code == 302
    assert ProviderCheck.objects.filter(provider=p1).count() == 3
    client.post(f"/care/providers/{p1.pk}/evaluation/score/?year=2026")
    evaluation = Evaluation.objects.get(provider=p1, year=2026)
    # audit 40 (nothing reviewed counts in full) + revisits 20 + home visits 20 × 1/2 + complaints 20 − 2
    assert evaluation.score == 40 + 20 + 10 + 18
    assert "88.00" in client.get("/care/providers/").content.decode()
    assert "88.00" in client.get(f"/care/providers/{p1.pk}/evaluation/?year=2026").content.decode()


def test_evaluation_pages_follow_role_and_scope(care, login):
    p3 = care.providers["p3"]  # contracted for 雷锋 only (street 和平)
    assert login("staff1").get(f"/care/providers/{p3.pk}/evaluation/").status_code == 404
    assert login("dispatcher1").get(f"/care/providers/{p3.pk}/evaluation/").status_code == 404
    assert login("dispatcher2").get(f"/care/providers/{p3.pk}/evaluation/").status_code == 200
    answer = login("dispatcher1").post(f"/care/providers/{p3.pk}/evaluation/checks/",
                                       {"kind": "complaint", "on": date(2026, 3, 1).isoformat(), "note": "x"})
    assert answer.status_code == 404 and not ProviderCheck.objects.exists()
    bad = login("auditor").post(f"/care/providers/{p3.pk}/evaluation/checks/", {"kind": "", "on": "2026-03-01"})
    assert bad.status_code == 400
