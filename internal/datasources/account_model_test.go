package datasources

import (
	"testing"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
)

// TestAccountToModel: a budget, a storage with one part missing and a link
// reach the data source's model as the back-end sent them; a missing name
// is null.
func TestAccountToModel(t *testing.T) {
	budget, quota := 12.5, int64(10)
	m, diags := accountToModel(t.Context(), &flows.Account{UserID: "alice", Budget: &budget,
		Storage: &flows.AccountStorage{Quota: &quota}, Links: []flows.Link{{Href: "https://x.example/pay", Rel: "payment"}}})
	if diags.HasError() {
		t.Fatal(diags)
	}
	if m.UserID.ValueString() != "alice" || !m.Name.IsNull() || m.Budget.ValueFloat64() != 12.5 {
		t.Errorf("user_id %s, name %s, budget %s", m.UserID, m.Name, m.Budget)
	}
	st := m.Storage.Attributes()
	if st["free"].String() != "0" || st["quota"].String() != "10" {
		t.Errorf("storage %v: want free 0 (missing) and quota 10", st)
	}
	if links := m.Links.Elements(); len(links) != 1 || links[0].String() != `{"href":"https://x.example/pay","rel":"payment","title":<null>,"type":<null>}` {
		t.Errorf("links %v", links)
	}
	m, _ = accountToModel(t.Context(), &flows.Account{UserID: "bob"})
	if !m.Storage.IsNull() || !m.Budget.IsNull() {
		t.Errorf("no storage or budget sent: both null, got %s %s", m.Storage, m.Budget)
	}
}
