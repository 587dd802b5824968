"""The running processes: the HTTP server and its workers, the delivery process, the sweep and its schedule."""
