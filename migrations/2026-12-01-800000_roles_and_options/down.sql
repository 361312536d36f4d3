ALTER TABLE requests DROP COLUMN options;
ALTER TABLE requests DROP COLUMN role;
DROP TABLE roles;
