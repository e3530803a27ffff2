"""Pages of scoring."""

app_name = "scoring"
urlpatterns: list = []
