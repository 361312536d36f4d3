-- A model's latest requests, newest first, without reading the others: the cost guard
-- projects an answer's length from the median of the model's recent completions.
CREATE INDEX requests_by_model ON requests (model);
