"""The Sphinx extensions that _config.yml loads, and the site's static files.
"""
