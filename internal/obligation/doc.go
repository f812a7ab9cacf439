// Package obligation is the compliance calendar: the periodic duties the
// contract names — password rotation, vulnerability and virus scans, account
// and password-storage policy reviews, full backups on statutory holidays,
// weekly to annual reports — written as obligation records
// (content/obligation/<year>/<id>.yaml).
//
// An obligation has a Rule (every N days from its start, weekly on a
// weekday, monthly/quarterly/half-yearly/yearly on a calendar day or on the
// Nth workday, or each statutory holiday), a window around every due date
// (lead and grace days), the kind of record that proves an occurrence was
// done with field conditions (ProofSpec), the assets it applies to and an
// owner.
//
// The flow:
//
//	Parse(record) → *Obligation
//	Obligation.Occurrences(calendar, from, to) → []Occurrence
//	ProofSpec.ProofFrom(record fields) → Proof
//	Match(obligation, occurrences, proofs, at) → []Status (done, due, overdue, upcoming, unknown)
//
// Book does all of it for a repository: Load reads the obligation records and
// the records of the kinds they name; Book.Between gives the states of the
// occurrences due in a date range (site calendar, reports) and Book.Around
// what `opsbook due` lists around a date.
//
// Workdays follow internal/calendar: Monday–Friday minus statutory holidays
// plus the 调休 weekends worked in exchange. A year without holiday data never
// yields silently nothing: workday rules compute the date on Monday–Friday and
// flag the occurrence Estimated; holiday rules produce one occurrence in state
// Unknown that says which data file to update.
package obligation
