"""Pages of org."""

app_name = "org"
urlpatterns: list = []
