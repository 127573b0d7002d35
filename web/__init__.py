"""hall-web: the citizens' ticket pages and the hall manager's console (docs/web.md)."""
