package httpapi

// workRoutes are the routes of billable work: sessions and their
// attendance, NDIS tasks, plans and price limits, lab and surgical cases,
// and the dashboard over them.
func (s *server) workRoutes(v1 router) {
	v1.HandleFunc("GET /v1/dashboard", s.dashboard)
	v1.HandleFunc("POST /v1/tasks", s.createTask)
	v1.HandleFunc("GET /v1/tasks", s.listTasks)
	v1.HandleFunc("GET /v1/tasks/{id}", s.getTask)
	v1.HandleFunc("PATCH /v1/tasks/{id}", s.patchTask)
	v1.HandleFunc("DELETE /v1/tasks/{id}", s.deleteTask)
	v1.HandleFunc("GET /v1/clients/{id}/ndis-plan", s.getPlan)
	v1.HandleFunc("PUT /v1/clients/{id}/ndis-plan", s.putPlan)
	v1.HandleFunc("GET /v1/ndis/price-limits", s.getPriceLimits)
	v1.HandleFunc("PUT /v1/ndis/price-limits", s.putPriceLimits)
	v1.HandleFunc("POST /v1/sessions", s.createSession)
	v1.HandleFunc("GET /v1/sessions", s.listSessions)
	v1.HandleFunc("GET /v1/sessions/{id}", s.getSession)
	v1.HandleFunc("POST /v1/sessions/{id}/attendance", s.markAttendance)
	v1.HandleFunc("POST /v1/cases", s.createCase)
	v1.HandleFunc("GET /v1/cases", s.listCases)
	v1.HandleFunc("GET /v1/cases/pending-po", s.pendingPOs)
	v1.HandleFunc("GET /v1/cases/{id}", s.getCase)
	v1.HandleFunc("PUT /v1/cases/{id}", s.putCase)
	v1.HandleFunc("PUT /v1/cases/{id}/purchase-orders", s.putPurchaseOrders)
	v1.HandleFunc("POST /v1/cases/{id}/invoice", s.invoiceCase)
	v1.HandleFunc("GET /v1/cases/{id}/invoice.csv", s.caseCSV)
	v1.HandleFunc("POST /v1/cases/{id}/uninvoice", s.uninvoiceCase)
	v1.HandleFunc("POST /v1/cases/{id}/invoice-paid", s.caseInvoicePaid)
	v1.HandleFunc("POST /v1/cases/{id}/commission-paid", s.caseCommissionPaid)
}
