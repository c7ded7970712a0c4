"""Zone files: reading them (dnspython parses the text) and checking whole signed zones."""
