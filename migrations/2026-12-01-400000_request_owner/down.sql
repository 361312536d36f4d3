DROP INDEX requests_pending;
ALTER TABLE requests DROP COLUMN owner;
