//! A `WHERE` clause built from fixed SQL fragments and the values they bind, in placeholder order:
//! user input only ever reaches the database as a bound value. Shared by the task list, the run
//! list and search.

/// One bound value.
pub(crate) enum Arg {
    Int(i64),
    Text(String),
}

/// `AND`-ed conditions and the values they bind, in placeholder order.
#[derive(Default)]
pub(crate) struct Where {
    clauses: Vec<String>,
    pub(crate) args: Vec<Arg>,
}

impl Where {
    /// Binds `arg` and returns its placeholder.
    pub(crate) fn bind(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }

    /// Binds every value and returns the comma-separated placeholders.
    pub(crate) fn bind_all(&mut self, args: impl IntoIterator<Item = Arg>) -> String {
        args.into_iter().map(|a| self.bind(a)).collect::<Vec<_>>().join(", ")
    }

    pub(crate) fn push(&mut self, clause: String) {
        self.clauses.push(clause);
    }

    pub(crate) fn sql(&self) -> String {
        self.clauses.join(" AND ")
    }
}

/// Binds `args` to a query, in order.
macro_rules! bind_args {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::Int(v) => q.bind(*v),
                Arg::Text(s) => q.bind(s.as_str()),
            };
        }
        q
    }};
}
pub(crate) use bind_args;
