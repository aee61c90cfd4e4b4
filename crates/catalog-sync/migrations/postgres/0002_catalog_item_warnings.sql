-- Something a person should fix that does not stop the article (an EAN that is not a valid
-- GTIN under the default article-number rule: the article goes without a bar code). NULL: none.
ALTER TABLE catalog_items ADD COLUMN warning TEXT;
