"""The HTTP edge: /auth, the status page, the webmail's static files, errors -> responses."""
