"""Pages of planning."""

app_name = "planning"
urlpatterns: list = []
