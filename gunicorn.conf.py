"""gunicorn's settings for vaern (read from the working directory): the access log skips the anonymous pages."""
logger_class = "web.request_log.AnonymousSafeLogger"
