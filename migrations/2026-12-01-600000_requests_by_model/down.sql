DROP INDEX requests_by_model;
