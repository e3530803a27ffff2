"""The partner portal: a channel partner submits leads and application requests for its customers and
follows only its own submissions, their progress and its fees."""
