"""Pages of incentives."""

app_name = "incentives"
urlpatterns: list = []
