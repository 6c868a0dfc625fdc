//! Settings and the shopper's linked account: the options page reads and writes the
//! settings; the account id is typed there or sent by the operator's site.

use super::route::classify_external;
use super::{error, Boxed, Ctx};
use crate::domain::config::Account;
use crate::domain::events::Sender;
use crate::domain::i18n::Text;
use crate::domain::messages::Request;
use crate::domain::orders;
use crate::domain::protocol::{AccountInfo, Reply};
use crate::domain::record::{self, SessionRecord, Settings};
use crate::ports::Platform;
use serde_json::Value;

impl<'a, P: Platform> Ctx<'a, P> {
    /// The settings for the options page, with what it shows of the account.
    pub(super) fn settings_reply(&self, settings: &Settings) -> Reply {
        // The words only where an account is shown: without one, the reply needs no catalog.
        let lang = self.lang(settings);
        let account = self.pkg.config.account.as_ref().map(|a| {
            let tx = self.pkg.catalogs().text(lang);
            let id = settings.account.clone().unwrap_or_default();
            let status = if id.is_empty() { tx.t("account_none", &[]) } else { tx.t("account_linked", &[&id]) };
            AccountInfo { site: a.site.clone(), id, status, help: tx.t("account_help", &[&a.site]) }
        });
        // The limit of `orders_max` too: the options page holds no copy of it.
        Reply::Settings { settings: settings.clone(), lang: lang.code(), account, orders_max_limit: orders::MAX_LIMIT }
    }

    /// The options page saves the settings (the linked account is kept as it is); a
    /// smaller order limit prunes the log first.
    pub(super) async fn set_settings(&self, settings: &mut Settings, mut raw: Value) -> (Reply, bool) {
        if raw.is_object() {
            raw["v"] = record::SETTINGS_VERSION.into();
        }
        match crate::domain::json::from_value::<Settings>(raw).map(|s| Settings { account: settings.account.clone(), ..s }) {
            Ok(s) if !(1..=orders::MAX_LIMIT).contains(&s.orders_max) => {
                (error(format!("invalid settings: orders_max must be 1 to {}", orders::MAX_LIMIT)), false)
            }
            Ok(s) => {
                if s.orders_max < settings.orders_max {
                    if let Err(e) = self.prune_orders(s.orders_max).await {
                        return (error(e), false);
                    }
                }
                if let Err(e) = self.save_settings(&s).await {
                    return (error(format!("could not save settings: {e}")), false);
                }
                *settings = s;
                (self.settings_reply(settings), true)
            }
            Err(e) => (error(format!("invalid settings: {e}")), false),
        }
    }

    /// Links the shopper's account id (typed in the options, or sent by the operator's
    /// site): checked against the operator's pattern, kept in `storage.local`.
    fn link_account<'b>(&'b self, settings: &'b mut Settings, id: &'b str, tx: Text<'b>) -> Boxed<'b, Result<String, String>> {
        Box::pin(async move {
            let Some(acc) = &self.pkg.config.account else { return Err(tx.t("account_not_used", &[])) };
            let id = id.trim();
            if !Account::plausible(id) || !self.platform.pattern_matches(&acc.pattern, id) {
                let shown: String = id.chars().take(64).collect();
                return Err(tx.t("account_invalid", &[&shown]));
            }
            let s = Settings { account: Some(id.to_string()), ..settings.clone() };
            self.save_settings(&s).await.map_err(|e| format!("could not save the account: {e}"))?;
            *settings = s;
            Ok(id.to_string())
        })
    }

    /// The account id typed in the options page.
    pub(super) async fn link_from_options(&self, settings: &mut Settings, account: &str) -> (Reply, bool) {
        let tx = self.text(settings);
        match self.link_account(settings, account, tx).await {
            Ok(id) => (Reply::Account { text: tx.t("account_saved", &[&id]), account: id }, true),
            Err(e) => (error(e), false),
        }
    }

    /// The options page removes the account id.
    pub(super) async fn unlink_account(&self, settings: &mut Settings) -> (Reply, bool) {
        let mut s = settings.clone();
        s.account = None;
        if let Err(e) = self.save_settings(&s).await {
            return (error(format!("could not save settings: {e}")), false);
        }
        *settings = s;
        (Reply::Account { account: String::new(), text: self.text(settings).t("account_removed", &[]) }, true)
    }

    /// A message from a web page (`runtime.onMessageExternal`): the operator's site may
    /// link an account, nothing else. A refusal is noted for Diagnostics.
    pub(super) async fn link_from_site(
        &self,
        rec: &mut SessionRecord,
        settings: &mut Settings,
        msg: Value,
        sender: &Sender,
    ) -> Result<(), String> {
        let tx = self.text(settings);
        let answer = match classify_external(sender, &self.pkg.config).and_then(|_| Request::decode(msg)) {
            Ok(Request::LinkAccount { account }) => self.link_account(settings, &account, tx).await,
            Ok(_) => Err("the operator's site may only link an account".into()),
            Err(e) => Err(e),
        };
        match answer {
            Ok(_) => Ok(()),
            Err(e) => {
                rec.note(format!("account link refused (from {}): {e}", sender.origin.as_deref().unwrap_or("?")));
                Err(e)
            }
        }
    }

    /// The shopper allowed (or not) a look at the installed extensions: read at the start
    /// of this event already; every view is told.
    #[inline(always)]
    pub(super) fn extensions_reply(&self, rec: &SessionRecord) -> (Reply, bool) {
        let found = rec.extensions.as_ref().map(|f| f.len());
        (Reply::Extensions { granted: found.is_some(), found: found.unwrap_or(0) }, true)
    }
}
