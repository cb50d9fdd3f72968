"""Web price sources: pure page parsers, product → commodity mapping, runs, replay and the CLI.

The Scrapy project that crawls live lives in ``scrapers/`` at the repository root; it only selects
pages and hands their bodies to the parsers here, so a live crawl and ``binhon scrape replay`` run
exactly the same code. Nothing in this package imports Scrapy.
"""
