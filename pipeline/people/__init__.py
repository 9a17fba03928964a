"""People on the web pages: accounts, roles and who may see whom, sessions, acknowledgements, coaching notes."""
