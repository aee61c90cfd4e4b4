-- A purchase order the warehouse refused because some of its articles were not there yet waits
-- for them (`waiting_for`, a JSON array of article numbers) and is sent again, once, when the
-- last of them is synced. To send it again the parts of the request that are not in the
-- delivery itself are kept too: the expected arrival (unix seconds) and the remark.
ALTER TABLE deliveries ADD COLUMN waiting_for TEXT;
ALTER TABLE deliveries ADD COLUMN in_date BIGINT;
ALTER TABLE deliveries ADD COLUMN remark TEXT;
