//! The fixed vocabulary: the default pipeline's names and checklist items,
//! the people, and the word lists titles and impacts are made of.

/// What `rel init` writes.
pub const PIPELINE: &str = include_str!("../../src/store/repo/default_pipeline.toml");
pub const ENVS: [&str; 4] = ["development", "uat", "staging", "production"];
pub const UAT_ITEM: &str = "UAT data refreshed from production";
pub const PROD_ENTRY: [&str; 3] = [
    "Database structures compared with production",
    "Web service configuration changes reviewed",
    "Access permissions reviewed",
];
pub const PROD_EXIT: &str = "Post-release tests passed on production";

pub const ACTORS: [&str; 6] = [
    "Alice Martin <alice@vendor.example>",
    "Bruno Silva <bruno@vendor.example>",
    "Chen Wei <chen@vendor.example>",
    "Dana Okafor <dana@vendor.example>",
    "Eva Novak <eva@vendor.example>",
    "Farid Haddad <farid@vendor.example>",
];
pub const CLIENT: (&str, &str) = ("Ana Costa <ana@client.example>", "ana@client.example");
pub const MANAGER: (&str, &str) = ("Rui Manager <rm@vendor.example>", "rm@vendor.example");
pub const CLIENT_CONTACTS: [&str; 3] = ["Ana Costa", "Marta Reis", "John Okoye"];
pub const AREAS: [&str; 12] = [
    "Billing",
    "Payments",
    "Customer portal",
    "Reporting",
    "Inventory",
    "Authentication",
    "Notifications",
    "Search",
    "Scheduling",
    "Data export",
    "Mobile app",
    "Admin console",
];
pub const VERBS: [&str; 7] = [
    "Fix", "Improve", "Add", "Remove", "Correct", "Speed up", "Validate",
];
pub const OBJECTS: [&str; 10] = [
    "rounding of totals",
    "timeout on login",
    "CSV export header",
    "duplicate e-mails",
    "date filter",
    "permission check",
    "invoice numbering",
    "sort order",
    "error message",
    "cache invalidation",
];
pub const IMPACTS: [&str; 5] = [
    "see a new column in the export",
    "must sign in again after the upgrade",
    "get search results faster",
    "no longer receive duplicate e-mails",
    "see corrected totals on invoices",
];
