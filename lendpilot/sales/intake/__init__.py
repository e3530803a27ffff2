"""Leads in: the new-lead form, the quick-create on the kanban and the import of a lead file."""
