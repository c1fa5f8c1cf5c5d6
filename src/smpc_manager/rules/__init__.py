"""Rules that judge a product: its dates as of a day, and its translations."""
