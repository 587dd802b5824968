"""A local stand-in for Slack's Web API, and requests signed as Slack sends them: for the demo, tests and benchmarks."""
