DROP TABLE images;
DROP TABLE attachments;
DROP TABLE blobs;
