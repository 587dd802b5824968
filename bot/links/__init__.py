"""Personal links to a shared record, emailed to people outside the partnership's Slack, and the page they open."""
