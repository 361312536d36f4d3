-- Nothing to undo: the dropped counts are made again from the text when needed.
SELECT 1;
