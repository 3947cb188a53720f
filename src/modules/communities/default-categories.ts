/** The categories every new community starts with; codes are fixed because reports key on them. */
export const DEFAULT_CATEGORIES: ReadonlyArray<{ code: string; name: string; nameEn: string }> = [
  { code: 'civilization_guidance', name: '文明引导', nameEn: 'Civilization Guidance' },
  { code: 'home_repair', name: '家政维修', nameEn: 'Home Repair' },
  { code: 'loving_care', name: '爱心关怀', nameEn: 'Loving Care' },
  { code: 'care_tutoring', name: '看护教育', nameEn: 'Care & Tutoring' },
  { code: 'medical_rescue', name: '医疗救助', nameEn: 'Medical Rescue' },
  { code: 'convenience_services', name: '便民利民', nameEn: 'Convenience Services' },
  { code: 'public_security_patrol', name: '治安巡逻', nameEn: 'Public Security Patrol' },
  { code: 'law_enforcement_for_people', name: '执法为民', nameEn: 'Law Enforcement for the People' },
  { code: 'environment_health', name: '环境卫生', nameEn: 'Environmental Health' },
  { code: 'legal_publicity', name: '法治宣传', nameEn: 'Legal Publicity' },
  { code: 'science_publicity', name: '科技科普', nameEn: 'Science Publicity' },
  { code: 'poverty_relief', name: '扶贫帮困', nameEn: 'Poverty Relief' },
  { code: 'elderly_disabled_assistance', name: '助老助残', nameEn: 'Elderly & Disabled Assistance' },
  { code: 'culture_sports', name: '文体活动', nameEn: 'Culture & Sports' },
];
