"""binhon's Scrapy project: spiders select pages; parsing, mapping and storing live in binhon.scraping."""
