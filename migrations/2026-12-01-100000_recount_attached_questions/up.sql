-- `tm chat` stored a question's content tokens with its attached files counted in, and every
-- later estimate added the files again. Such counts are dropped here; a question without a
-- count is counted again from its text when it is next needed.
UPDATE messages SET content_tokens = NULL, token_encoding = NULL
WHERE content_tokens IS NOT NULL AND id IN (SELECT message_id FROM attachments);
