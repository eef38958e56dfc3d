export const ESSAY_META = { visualizations: [{ name: 'Map', type: 'D3 choropleth' }] };
