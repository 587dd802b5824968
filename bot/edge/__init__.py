"""The Slack edge: the WSGI entry point, request decoding, and the clients that call Slack."""
