//! Attachments of questions, with their bytes kept once per content in `blobs`.

use diesel::prelude::*;

use super::MessageId;
use super::schema::{attachments, blobs};
use crate::attach::{Attachment, Detail, Kind};

/// An attachment's row, without its bytes.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = attachments)]
struct Info {
    pub message_id: MessageId,
    pub name: String,
    pub mime: String,
    pub kind: String,
    pub sha256: String,
    pub size: i32,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub detail: Option<String>,
}

/// Which attachments come with their bytes: sending needs them all; counting tokens needs
/// only text files' (an image is counted from its size, a PDF not at all); listing none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bytes {
    All,
    OfText,
    None,
}

pub fn insert(
    conn: &mut SqliteConnection,
    message_id: MessageId,
    attachment: &Attachment,
) -> QueryResult<()> {
    diesel::insert_into(blobs::table)
        .values((
            blobs::sha256.eq(&attachment.sha256),
            blobs::bytes.eq(&attachment.bytes),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    let side = |n: Option<u32>| n.and_then(|n| i32::try_from(n).ok());
    diesel::insert_into(attachments::table)
        .values((
            attachments::message_id.eq(message_id),
            attachments::name.eq(&attachment.name),
            attachments::mime.eq(&attachment.mime),
            attachments::kind.eq(attachment.kind.as_str()),
            attachments::sha256.eq(&attachment.sha256),
            attachments::size.eq(i32::try_from(attachment.bytes.len()).unwrap_or(i32::MAX)),
            attachments::width.eq(side(attachment.width)),
            attachments::height.eq(side(attachment.height)),
            attachments::detail.eq(attachment.detail.map(Detail::as_str)),
        ))
        .execute(conn)
        .map(drop)
}

/// The attachments of these messages, oldest first, with the bytes `bytes` asks for.
pub fn of_messages(
    conn: &mut SqliteConnection,
    message_ids: &[MessageId],
    bytes: Bytes,
) -> QueryResult<Vec<(MessageId, Attachment)>> {
    let rows: Vec<Info> = attachments::table
        .filter(attachments::message_id.eq_any(message_ids))
        .order(attachments::id.asc())
        .select(Info::as_select())
        .load(conn)?;
    rows.into_iter()
        .map(|info| {
            let damaged = |column: &str, value: &str| {
                diesel::result::Error::DeserializationError(
                    format!(
                        "attachments.{column} of the file {} holds '{value}', which tm does not know; the database may be damaged",
                        info.name
                    )
                    .into(),
                )
            };
            let kind = Kind::parse(&info.kind).ok_or_else(|| damaged("kind", &info.kind))?;
            let detail = match info.detail.as_deref() {
                Some(text) => Some(Detail::parse(text).ok_or_else(|| damaged("detail", text))?),
                None => None,
            };
            let wanted = match bytes {
                Bytes::All => true,
                Bytes::OfText => kind == Kind::Text,
                Bytes::None => false,
            };
            let content = if wanted {
                blobs::table
                    .find(&info.sha256)
                    .select(blobs::bytes)
                    .first(conn)?
            } else {
                Vec::new()
            };
            let side = |n: Option<i32>| n.and_then(|n| u32::try_from(n).ok());
            let attachment = Attachment {
                kind,
                name: info.name,
                mime: info.mime,
                bytes: content,
                size: u64::try_from(info.size).unwrap_or(0),
                sha256: info.sha256,
                width: side(info.width),
                height: side(info.height),
                detail,
            };
            Ok((info.message_id, attachment))
        })
        .collect()
}

/// Bytes no attachment refers to any more (their messages were deleted).
pub fn remove_orphan_blobs(conn: &mut SqliteConnection) -> QueryResult<usize> {
    diesel::delete(blobs::table.filter(diesel::dsl::not(diesel::dsl::exists(
        attachments::table.filter(attachments::sha256.eq(blobs::sha256)),
    ))))
    .execute(conn)
}
