// What the filters of ListTopics mean, as Huawei Cloud documents them:
// `enterprise_project_id`, `name` and `topic_id` match exactly, `fuzzy_name` and
// `fuzzy_display_name` are part of the name or display name ("fuzzy match"; the kit
// ignores case). Absent or empty, a filter lets everything through. The emulator and the
// stateless mock filter with it.

export interface FilterableTopic {
  name: string;
  display_name: string;
  enterprise_project_id?: string;
  topic_id?: string;
}

export function topicFilter(query: URLSearchParams): (topic: FilterableTopic) => boolean {
  const given = (name: string): string | undefined => query.get(name) || undefined;
  const project = given('enterprise_project_id');
  const name = given('name');
  const fuzzyName = given('fuzzy_name')?.toLowerCase();
  const id = given('topic_id');
  const fuzzyDisplay = given('fuzzy_display_name')?.toLowerCase();
  return (t) =>
    (project === undefined || t.enterprise_project_id === project) &&
    (name === undefined || t.name === name) &&
    (fuzzyName === undefined || t.name.toLowerCase().includes(fuzzyName)) &&
    (id === undefined || t.topic_id === id) &&
    (fuzzyDisplay === undefined || t.display_name.toLowerCase().includes(fuzzyDisplay));
}
