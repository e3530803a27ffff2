"""`python manage.py check_page_language [USERNAME ...] --language zh-hans|en`: crawl the pages each user reaches
from home in the working database and list the text that is not in the page's language (codes, Python
reprs, English on a Chinese page; Chinese that is not the bank's data on an English page). Reads only.
Exits with an error when anything is found."""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.test import Client

from lendpilot.core.page_language import EN, ZH, Finding, crawl, data_vocabulary, page_findings


class Command(BaseCommand):
    help = "Crawl the pages of the given users (all active users when none is given) and list language leaks."

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="*")
        parser.add_argument("--language", choices=(ZH, EN), action="append", dest="languages")
        parser.add_argument("--per-route", type=int, default=2)

    def handle(self, *args, usernames, languages, per_route, **options):
        users = get_user_model().objects.filter(is_active=True).order_by("username")
        if usernames:
            users = users.filter(username__in=usernames)
            unknown = sorted(set(usernames) - set(users.values_list("username", flat=True)))
            if unknown:
                raise CommandError(f"no active user named {', '.join(unknown)}")
        vocabulary = data_vocabulary()
        found: dict[tuple[str, str, str], list[Finding]] = defaultdict(list)
        pages = 0
        for language in languages or (ZH, EN):
            for user in users:
                client = Client(HTTP_ACCEPT_LANGUAGE=language, SERVER_NAME="testserver")
                client.cookies["django_language"] = language
                client.force_login(user)
                for url, response, referrer in crawl(client, per_route=per_route):
                    pages += 1
                    if response.status_code >= 400:
                        # A page links only to what its reader may open.
                        status = f"{response.status_code} {url.partition('?')[0]}"
                        found[(language, "status", status)].append(
                            Finding("status", status, url, f"{user.username} from {referrer}"))
                    for finding in page_findings(url, response, language=language, vocabulary=vocabulary):
                        found[(language, finding.kind, finding.token)].append(finding)
        for (language, kind, token), where in sorted(found.items(), key=lambda item: -len(item[1])):
            first = where[0]
            self.stdout.write(f"{language}\t{kind}\t{token}\t{len(where)}\t{first.url}\t{first.text}")
        self.stderr.write(f"{pages} pages, {len(found)} distinct findings")
        if found:
            raise CommandError("pages show text outside their language")
