//! `tm role set|list|remove`: saved roles, a named system prompt with an optional model,
//! used by `tm ask -r NAME` and `/role NAME` in chat.

use anyhow::{Result, bail};

use crate::app::{App, Opened};
use crate::cli::RoleCommand;
use crate::store::role::{self, Role};
use crate::ui::{self, table};

pub fn run(command: &RoleCommand, app: &App) -> Result<()> {
    let Opened { mut store, .. } = app.open()?;
    match command {
        RoleCommand::Set { name, model, text } => {
            let role = Role {
                name: name.clone(),
                system: text.join(" "),
                model: model.clone(),
            };
            store.write(|conn| role::put(conn, &role))?;
            ui::status(&format!("saved the role {name}"));
        }
        RoleCommand::List { json } => {
            let roles = store.read(role::all)?;
            if *json {
                ui::outln(serde_json::to_string_pretty(&roles)?)?;
            } else {
                // Narrow terminals: the prompt shortens, then the model goes.
                let mut out =
                    table::new(["role", "model", "system prompt"], &[]).fit(Some(2), &[1]);
                for role in roles {
                    out.add_row([role.name, role.model.unwrap_or_default(), role.system]);
                }
                ui::outln(table::render(&out))?;
            }
        }
        RoleCommand::Remove { name } => {
            if !store.write(|conn| role::remove(conn, name))? {
                bail!("there is no role '{name}'; `tm role list` shows the roles");
            }
            ui::status(&format!("removed the role {name}"));
        }
    }
    Ok(())
}
