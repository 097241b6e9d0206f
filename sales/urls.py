from django.urls import path

from sales import views, views_actions
from sales.cadences import views as cadence_views
from sales.pipeline import views as pipeline_views
from sales.teams import views as teams_views

app_name = "sales"

urlpatterns = [
    path("my-work/", views.my_work, name="my_work"),
    path("board/", views.board, name="board"),
    path("deals/board/", pipeline_views.board_page, name="deal_board"),
    path("deals/<int:pk>/move/", pipeline_views.deal_move_view, name="deal_move"),
    path("quotas/", views.quotas, name="quotas"),
    path("sequences/", cadence_views.sequence_list, name="sequence_list"),
    path("sequences/new/", cadence_views.sequence_new, name="sequence_new"),
    path("sequences/<int:pk>/", cadence_views.sequence_edit, name="sequence_edit"),
    path("teams/", teams_views.teams_page, name="teams"),
    path("teams/save/", teams_views.team_save_view, name="team_save"),
    path("quotas/set/", views_actions.quota_set, name="quota_set"),
    path("enrol/", views_actions.enrol, name="enrol"),
    path("leads/<int:lead_pk>/deals/", views_actions.deal_create, name="deal_create"),
    path("leads/<int:lead_pk>/move/", views_actions.lead_move, name="lead_move"),
    path("leads/<int:lead_pk>/claim/", views_actions.lead_claim, name="lead_claim"),
    path("leads/<int:lead_pk>/reassign/", views_actions.lead_reassign, name="lead_reassign"),
    path("leads/<int:lead_pk>/activities/", views_actions.activity_log, name="activity_log"),
    path("leads/<int:pk>/timeline/", views.lead_timeline_older, name="lead_timeline"),
    path("deals/<int:pk>/win/", views_actions.deal_win, name="deal_win"),
    path("deals/<int:pk>/lose/", views_actions.deal_lose, name="deal_lose"),
    path("deals/<int:pk>/reopen/", views_actions.deal_reopen, name="deal_reopen"),
    path("activities/<int:pk>/complete/", views_actions.task_complete, name="task_complete"),
]
