DROP TRIGGER usage_totals_update;
DROP TRIGGER usage_totals_delete;
DROP TRIGGER usage_totals_insert;
DROP TABLE usage_totals;
