"""What operators run: backup, doctor, checks before a command touches the database."""
