from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from minsheng.assessment import views as assessment

from .views import homes, public, resident, staff, supervision

app_name = "web"

urlpatterns = [
    path("", public.home, name="home"),
    # Asked for by browsers and tools whatever a page links to; the icon itself is a static file.
    path("favicon.ico", RedirectView.as_view(url=static("web/favicon.ico"), permanent=True), name="favicon"),
    path("submit/", public.submit, name="submit"),
    path("submit/done/", public.submitted, name="submitted"),
    path("submit/place/", public.report_place, name="report_place"),
    path("submit/categories/", public.report_categories, name="report_categories"),
    path("submit/suggestions/", public.report_suggestions, name="report_suggestions"),
    path("submit/similar/", public.report_similar, name="report_similar"),
    path("track/", public.track, name="track"),
    path("track/rate/", public.rate, name="rate"),
    path("track/photos/<str:token>/", public.track_photo, name="track_photo"),
    path("revisit/<str:token>/", public.revisit, name="revisit_link"),
    path("elder/", public.elder_mode, name="elder_mode"),
    path("me/", homes.mine, name="mine"),
    path("me/demands/<int:pk>/", resident.demand_detail, name="my_demand"),
    path("me/demands/<int:pk>/supplement/", resident.demand_supplement, name="my_demand_supplement"),
    path("me/demands/<int:pk>/withdraw/", resident.demand_withdraw, name="my_demand_withdraw"),
    path("me/demands/<int:pk>/rate/", resident.demand_rate, name="my_demand_rate"),
    path("signin/", resident.sign_in, name="sign_in"),
    path("signin/wechat/", resident.wechat_start, name="wechat_start"),
    path("signin/wechat/callback/", resident.wechat_callback, name="wechat_callback"),
    path("volunteer/", homes.volunteer_home, name="volunteer_home"),
    path("map/grids.geojson", public.grids_geojson, name="grids_geojson"),
    path("work/", staff.queue, name="queue"),
    path("work/bulk/", staff.bulk_action, name="bulk_action"),
    path("work/units/", staff.unit_options, name="unit_options"),
    path("work/replies/", staff.reply_templates, name="reply_templates"),
    path("work/replies/<int:pk>/", staff.reply_templates, name="reply_template"),
    path("work/demands/", staff.demand_list, name="demands"),
    path("work/views/", staff.saved_view_create, name="saved_view_create"),
    path("work/views/<int:pk>/delete/", staff.saved_view_delete, name="saved_view_delete"),
    path("work/demands/export.xlsx", staff.demand_export, name="demands_export"),
    path("work/demands/<int:pk>/", staff.demand_detail, name="demand"),
    path("work/demands/<int:pk>/reveal/", staff.reveal_reporter, name="reveal"),
    path("work/demands/<int:pk>/<slug:action>/", staff.demand_action, name="act"),
    path("work/attachments/<int:pk>/", staff.attachment, name="attachment"),
    path("work/intake/", staff.intake, name="intake"),
    path("work/intake/resident/", staff.resident_lookup, name="resident_lookup"),
    path("work/intake/duplicates/", staff.intake_duplicates, name="intake_duplicates"),
    path("work/intake/address/", staff.intake_address, name="intake_address"),
    path("work/overview/", staff.overview, name="overview"),
    path("work/inbox/", supervision.inbox, name="inbox"),
    path("work/inbox/read/", supervision.inbox_read, name="inbox_read"),
    path("work/inbox/sms/", supervision.inbox_sms, name="inbox_sms"),
    path("work/supervision/", supervision.supervision, name="supervision"),
    path("work/revisits/", supervision.revisits, name="revisits"),
    path("work/hot/", staff.hot_issues, name="hot_issues"),
    path("work/dashboard/", assessment.dashboard, name="dashboard"),
    path("work/screen/", assessment.screen, name="screen"),
    path("work/assessment/", assessment.assessment_table, name="assessment_table"),
    path("work/assessment/formulas/", assessment.formulas, name="assessment_formulas"),
    path("work/assessment/rule/", assessment.set_rule, name="assessment_rule"),
    path("work/assessment/demands/", assessment.demands, name="assessment_demands"),
    path("work/assessment/report/", assessment.report, name="assessment_report"),
]
