"""Pages of lending."""

app_name = "lending"
urlpatterns: list = []
