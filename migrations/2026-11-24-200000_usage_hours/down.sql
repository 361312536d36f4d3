DROP TRIGGER usage_hours_update;
DROP TRIGGER usage_hours_delete;
DROP TRIGGER usage_hours_insert;
DROP TABLE usage_hours;
