package dynamo

import (
	"hash/fnv"
	"strconv"
	"time"

	"github.com/carebill/carebill/internal/cycle"
	"github.com/carebill/carebill/internal/reminder"
)

// cycleDueShards spreads the scheduler's due index over this many
// partitions, so a million orgs never write one hot key.
const cycleDueShards = 8

// cycleDuePK is the scheduler's index partition for an org: the one
// partition key that does not start with an org, read only by the
// cycle-close function (never on a request path) to find the orgs whose
// next cycle is due without scanning every org.
func cycleDuePK(org string) string {
	h := fnv.New32a()
	h.Write([]byte(org))
	return "CYCLEDUE#" + strconv.Itoa(int(h.Sum32()%cycleDueShards))
}

// cycleDueSK sorts an org by the instant its next cycle is due, in UTC so
// that string order is time order.
func cycleDueSK(due time.Time, org string) string {
	return due.UTC().Format("2006-01-02T15:04:05Z") + "#" + org
}

type cycleChangeItem struct {
	From       string `dynamodbav:"from"`
	Frequency  string `dynamodbav:"frequency"`
	DayOfMonth int    `dynamodbav:"dayOfMonth,omitempty"`
	Weekday    int    `dynamodbav:"weekday,omitempty"`
	GraceDays  int    `dynamodbav:"graceDays,omitempty"`
}

func cyclesToItems(p cycle.Plan) []cycleChangeItem {
	out := make([]cycleChangeItem, 0, len(p))
	for _, c := range p {
		s := c.Schedule
		out = append(out, cycleChangeItem{From: c.From.String(), Frequency: string(s.Frequency), DayOfMonth: s.DayOfMonth, Weekday: int(s.Weekday), GraceDays: s.GraceDays})
	}
	return out
}

func cyclesFromItems(items []cycleChangeItem) (cycle.Plan, error) {
	var p cycle.Plan
	for _, it := range items {
		from, err := fromDate(it.From)
		if err != nil {
			return nil, err
		}
		p = append(p, cycle.Change{From: from, Schedule: cycle.Schedule{
			Frequency: cycle.Frequency(it.Frequency), DayOfMonth: it.DayOfMonth, Weekday: time.Weekday(it.Weekday), GraceDays: it.GraceDays,
		}})
	}
	return p, nil
}

type reminderStepItem struct {
	Offset   int      `dynamodbav:"offset"`
	Channels []string `dynamodbav:"channels"`
}

type remindersItem struct {
	Enabled bool               `dynamodbav:"enabled"`
	Steps   []reminderStepItem `dynamodbav:"steps"`
	From    int                `dynamodbav:"from"`
	To      int                `dynamodbav:"to"`
}

func remindersToItem(s reminder.Schedule) *remindersItem {
	it := &remindersItem{Enabled: s.Enabled, From: s.From, To: s.To, Steps: []reminderStepItem{}}
	for _, st := range s.Steps {
		chs := make([]string, 0, len(st.Channels))
		for _, c := range st.Channels {
			chs = append(chs, string(c))
		}
		it.Steps = append(it.Steps, reminderStepItem{Offset: st.Offset, Channels: chs})
	}
	return it
}

// toSchedule reads stored reminders; orgs stored before reminders existed
// get the default (off).
func (it *remindersItem) toSchedule() reminder.Schedule {
	if it == nil {
		return reminder.Default()
	}
	s := reminder.Schedule{Enabled: it.Enabled, From: it.From, To: it.To}
	for _, st := range it.Steps {
		step := reminder.Step{Offset: st.Offset}
		for _, c := range st.Channels {
			step.Channels = append(step.Channels, reminder.Channel(c))
		}
		s.Steps = append(s.Steps, step)
	}
	return s
}
