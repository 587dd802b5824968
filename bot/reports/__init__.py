"""Partnership figures: is multi-agency working working? Defined once, computed in the database."""
