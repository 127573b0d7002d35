"""The call board node (hall-callboard): hall display, LED window screens, call announcements."""
