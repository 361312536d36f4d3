//! Images made by `tm image`: where they were saved and what was asked for.

use diesel::prelude::*;
use serde::Serialize;

use super::schema::images;
use super::{ImageId, RequestId};

#[derive(Debug, Clone, Insertable, Queryable, Selectable, Serialize)]
#[diesel(table_name = images)]
pub struct Image {
    #[diesel(skip_insertion)]
    pub id: ImageId,
    pub request_id: RequestId,
    pub prompt: String,
    pub revised_prompt: Option<String>,
    pub model: String,
    /// As made: `1024x1536`, also when `auto` was asked for.
    pub size: String,
    pub quality: Option<String>,
    /// The file written for the user.
    pub path: String,
    /// The copy in the data directory, kept whatever happens to `path`.
    pub copy_path: String,
    pub sha256: String,
    /// UTC.
    pub created_at: String,
}

/// Stores the image and returns it with its id.
pub fn insert(conn: &mut SqliteConnection, image: &Image) -> QueryResult<Image> {
    diesel::insert_into(images::table)
        .values(image)
        .returning(Image::as_returning())
        .get_result(conn)
}
