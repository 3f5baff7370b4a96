package storecontract_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/memstore"
	"github.com/carebill/carebill/internal/storecontract"
	"github.com/carebill/carebill/internal/testenv"
	"github.com/carebill/carebill/internal/teststack"
)

var moto *testenv.Moto

func TestMain(m *testing.M) { testenv.MainWithMoto(m, &moto) }

// TestDynamoStore runs the contract against the DynamoDB adapter on moto:
// one provisioned table, each test its own org.
func TestDynamoStore(t *testing.T) {
	st := teststack.New(t, moto)
	store, err := dynamo.New(dynamodb.NewFromConfig(st.AWS), st.Env(t, "InvoicingFunction")("TABLE_NAME"))
	if err != nil {
		t.Fatal(err)
	}
	storecontract.Run(t, func(*testing.T) storecontract.Store { return store })
}

// TestMemStore runs the same contract against the in-memory store.
func TestMemStore(t *testing.T) {
	storecontract.Run(t, func(*testing.T) storecontract.Store { return memstore.New() })
}
