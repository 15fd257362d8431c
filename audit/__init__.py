"""`make audit`: Lighthouse, axe-core, the Nu HTML Checker and a link crawl against the production server."""
