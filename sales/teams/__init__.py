"""Sales teams: a named group of reps with a manager. The board and the forecast filter
by team; a team may have its own quota (`Quota.team`)."""
